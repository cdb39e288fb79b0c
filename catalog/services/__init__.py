"""The code that changes the catalogue's state. One module per subject; views, the API and commands call these."""
