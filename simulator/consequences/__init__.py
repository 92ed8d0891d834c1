"""Consequence models: pure numpy/scipy physics that turns a breach or a plant outage
into flood, loss-of-life and grid outcomes. Nothing here imports SimPy or the rest of
the project, so every model can be checked alone against its published source."""
