"""Edit operations of the planner, one module each (see :mod:`.base` and :mod:`.registry`)."""
