"""Pictures for the people who do not open a terminal: the dashboard page (dashboard.py, from
the figures figures.py gathers) and one chart per report to share (share.py), drawn with
matplotlib (draw.py), which loads only here."""
