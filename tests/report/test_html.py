"""The HTML building blocks escape everything that is not markup they built, and the
Markdown subset renders SOURCES.md's tables, lists and emphasis."""

from simulator.report.html import Html, element, escape, figure, markdown, page, table
from simulator.report.run import sources_html


def test_text_is_escaped_and_markup_is_not():
    assert escape("<script>") == "&lt;script&gt;"
    assert escape(Html("<b>x</b>")) == "<b>x</b>"
    assert element("p", "<i>", Html("<br>"), title='a"b') == \
        '<p title="a&quot;b">&lt;i&gt;<br></p>'
    assert element("td", "x", class_="num") == '<td class="num">x</td>'
    cell = table(["a<"], [["<x>", Html("<code>y</code>")]], numeric=(0,))
    assert "&lt;x&gt;" in cell and "<code>y</code>" in cell and 'class="num"' in cell


def test_figure_embeds_a_data_uri():
    html = figure(b"\x89PNG data", "caption <x>", alt='a "b"')
    assert html.startswith("<figure><img src=\"data:image/png;base64,")
    assert "caption &lt;x&gt;" in html and 'alt="a &quot;b&quot;"' in html


def test_markdown_subset():
    text = ("## Title <x>\n\nSome *it* and **bold** and `co<de>`.\n\n"
            "| key | what |\n|---|---|\n| a | <script> |\n\n1. one\n2. two\n   more\n\n- item\n")
    html = markdown(text)
    assert "<h4>Title &lt;x&gt;</h4>" in html
    assert "<em>it</em>" in html and "<strong>bold</strong>" in html
    assert "<code>co&lt;de&gt;</code>" in html
    assert "<td>&lt;script&gt;</td>" in html and "<script>" not in html
    assert "<ol><li>one</li><li>two more</li></ol>" in html and "<ul><li>item</li></ul>" in html


def test_page_template_escapes_its_title():
    text = page("<t>", Html("<p>body</p>"), subtitle="s&s")
    assert text.startswith("<!DOCTYPE html>") and "<title>&lt;t&gt;</title>" in text
    assert "<p>body</p>" in text and "s&amp;s" in text


def test_sources_keep_the_scenario_section_and_the_references_it_cites():
    sources = ("# Sources\n\nIntro.\n\n## References\n\n| key | source |\n|---|---|\n"
               "| wiki-dam | Wikipedia <dam> |\n| other | Not cited |\n\n"
               "## valley.yaml\n\n| field | value |\n|---|---|\n| height | 30 m |\n\n"
               "## Assumptions that matter most for results\n\n1. Breach odds.\n\n"
               "## other.yaml\n\nNot this one.\n")
    html = sources_html(sources, "valley.yaml", "height: 30 m  # [wiki-dam]\n")
    assert "30 m" in html and "Wikipedia &lt;dam&gt;" in html
    assert "Not cited" not in html and "Not this one" not in html
    assert "<details>" in html and "Breach odds" in html
