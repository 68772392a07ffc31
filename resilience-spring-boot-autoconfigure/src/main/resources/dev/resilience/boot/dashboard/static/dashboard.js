// Placeholder: the ui branch brings the dashboard script.
