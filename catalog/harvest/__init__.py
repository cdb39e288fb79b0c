"""The harvest: solutions read from their source repositories on a schedule, as the national crawler reads them.

`repository` reads one git repository (its publiccode.yml, head, tags and root commits) into a local blob-less copy.
"""
