"""`coach serve --web`: the speaker's own web page (live view, steering, scripts,
progress), served by coach itself to paired browsers and token holders."""
