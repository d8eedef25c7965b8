"""The ward pages: templates, static files, presenters (the views and app build on them)."""
