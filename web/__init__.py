"""The web page's own parts (app side): security layer, dates, corpus view, export, CSS and JS."""
