"""The demo site group (演示站群): a fictional province, its cities and counties, their
departments, portals, content and staff logins, loaded by ``manage.py load_demo``.

Everything here is invented: the places (province code 99, which no real province uses), the
people, the credit codes (valid checksums, no real body) and every sentence, which
``text.TextGenerator`` composes from phrase templates. Nothing is read from outside the
package, and the same seed always gives the same content. docs/demo.md describes it for
people.

This is a plain package, not a Django app: it has no models and writes only through the
platform's own functions (``create_portal``, ``migrate_site``, the editorial setup).
"""
