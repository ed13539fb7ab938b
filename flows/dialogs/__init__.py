"""The conversations, one a module exporting its FLOW; registry.py lists them all."""
