"""The sound: music and ambient beds, uploaded audio and narration, mixed in numpy to one WAV."""
