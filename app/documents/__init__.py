"""PDF documents (recovery kit and later exports), built with reportlab from bundled fonts."""
