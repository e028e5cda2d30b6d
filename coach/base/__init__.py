"""The ground every layer stands on: errors, paths, printing, the bundled files, audio
arrays and helper processes."""
