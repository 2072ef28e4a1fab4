"""One module per source format; ``FORMATS`` lists them all for recognition and --format."""
