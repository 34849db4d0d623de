"""The report notebooks (package data, installed as ``perfkit.notebooks``; see config)."""
