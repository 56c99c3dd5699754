"""The newsreader's widgets."""
