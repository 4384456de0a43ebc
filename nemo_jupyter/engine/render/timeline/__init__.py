"""What the renderer reads from a draft: its segments by track, the video track as clips, chunk
windows, and the one draft validator."""
