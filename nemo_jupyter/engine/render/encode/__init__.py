"""Encoding: running FFmpeg, the filter graph of a render, the pictures it reads, media probing."""
