"""The pages that still live here: Privacy (its tabs are in ui/privacy/) and its consent settings; the others
sit in their feature folders (ui/customers/page.py, ui/sales/, ui/dashboard/, ui/settings/)."""
