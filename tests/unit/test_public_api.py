"""The public API of ``import perfkit as pk``: what dir() and tab completion show is what works."""

from __future__ import annotations

import subprocess
import sys


def test_dir_lists_the_lazy_names_without_loading_them():
    """Issue 21.9: ``dir(pk)`` did not list ``load`` (it is loaded on first use)."""
    code = ("import sys, perfkit as pk\n"
            "names = dir(pk)\n"
            "print(','.join(names))\n"
            "print('pandas' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    names, pandas_loaded = done.stdout.splitlines()
    listed = names.split(",")
    import perfkit as pk

    for name in [*pk.__all__, "load", "Evaluation", "charts", "tables", "narrative"]:
        assert name in listed, name
        assert getattr(pk, name) is not None
    assert pandas_loaded == "False"  # listing a name does not import it
