"""Reading a prompt into its brief: grammar words, attributes, relations, setting, roles, kind."""
