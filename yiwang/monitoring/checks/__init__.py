"""The checks the crawler runs on what it fetches: links (``links``), one page's parse
(``html``), wrong and sensitive wording (``wording``), security settings (``security``) and
dates and columns (``freshness``). Plain Python, no Django."""
