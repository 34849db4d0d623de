"""Notebooks made of blocks, as the display functions show them, for the rendering tests."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_notebook, new_output


def notebook_of(path, *blocks):
    """Write a notebook whose one code cell displays ``blocks`` (each output a block's text/html
    and its JSON, as a ``pk.*`` display function shows it); return its path."""
    outputs = [new_output("display_data", data=block._repr_mimebundle_()) for block in blocks]
    nbformat.write(new_notebook(cells=[new_code_cell("pk.x()", outputs=outputs)]), path)
    return path
