"""The picture: scene families painted once, moving elements, and the actors (OpenMoji art), laid out and
animated by FFmpeg overlay expressions."""
