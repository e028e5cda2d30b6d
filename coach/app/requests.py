"""What the idle speaker can be asked, by voice or by the web page."""

LIST, RESUME, STOP, START = "list", "resume", "stop", "start:"
FILE = "file:"  # + the name of one of the user's own scripts (from the web page)
SAY = "say:"  # + a line to speak now (the web page's "hear it")
