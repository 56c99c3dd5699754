"""The desk: several editors' decisions shared through the site's git repository."""
