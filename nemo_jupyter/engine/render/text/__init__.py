"""Texts over the picture (titles, captions) and the fonts that draw them."""
