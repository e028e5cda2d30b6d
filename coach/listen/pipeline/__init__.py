"""The Listener: frames to recognitions, and the steps only it uses."""
