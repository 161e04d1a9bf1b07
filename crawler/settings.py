"""Scrapy settings of the crawler: polite defaults for real sites.

The demo and the tests lower the politeness settings for a site on loopback only
(``-s AUTOTHROTTLE_ENABLED=0 -s DOWNLOAD_DELAY=0``).  Our own settings:

- ``CORPUS_DB``: path of the SQLite corpus (``crawler crawl --db`` sets it).
- ``CRAWLER_CONTACT``: how a site owner reaches whoever runs the crawl (URL or
  ``mailto:``); it goes into the User-Agent.
- ``SITE_TIMEZONE``: IANA zone of dates the site prints without an offset
  (default: the profile's; for the generic ``wordpress`` profile, the zone the
  site's ``/wp-json/`` index gives, else UTC).
- ``INCREMENTAL_ENABLED``: read the corpus to fetch only what is new (default on).
- ``INCREMENTAL_KNOWN_STREAK``: known articles walked back along prev links, in a
  row, before a run stops walking (default 5).
- ``RUNS_ENABLED``: record each run in the ``runs`` table (default on).
- ``RUNS_LOCK_HELD``: set by ``crawler crawl``, which takes the database's run lock
  before Scrapy starts; other ways of running (``scrapy crawl``, scrapyd) leave it off
  and the run recorder takes the lock.
- ``RUNS_MAX_ERROR_SHARE``: share of failed fetches above which a run is degraded.
- ``RUNS_MIN_COVERAGE_RATIO``: a run whose field coverage falls below this share of
  the last run's is degraded.
- ``PROGRESS_ENABLED`` / ``PROGRESS_INTERVAL``: the live progress line on a terminal.
- ``RETRY_BACKOFF_BASE`` / ``RETRY_BACKOFF_MAX``: seconds before the first retry,
  doubling with each retry up to the maximum.
- ``RETRY_AFTER_MAX``: longest ``Retry-After`` (429, 503) honoured, in seconds.
- ``DISCOVERY_SITEMAPS``: also enter the site through its XML sitemaps, those
  ``robots.txt`` names and ``/wp-sitemap.xml`` (default on).
- ``DISCOVERY_FEEDS``: also read the site's RSS/Atom feeds (``/feed/`` and those the
  start pages name) (default on).
- ``DISCOVERY_ARCHIVES``: also page through the category and date archives the
  start pages link, when the sitemaps list no post (default on).
- ``DISCOVERY_ARCHIVE_MAX_PAGES``: pages of one archive read at most (default 20);
  an archive is left earlier at a page that lists no article not already known or
  requested.
- ``PARSE_WORKERS``: processes that read article pages (parse, links, dates,
  extraction) beside the crawl's own, so a fast site is crawled on two cores; 0 reads
  them in the crawl's process (default 1).
- ``BRIDGE_MAX_PAGES``: pages of a date archive read to bridge one chain break.
- ``STORE_BATCH_SIZE``: items written per SQLite transaction.
- ``STORE_FLUSH_SECONDS``: longest wait of an item before its batch is written.
- ``VALIDATE_MIN_WORDS``: shortest body, in words, stored as an article.
- ``VALIDATE_DEFAULT_LANGUAGE``: language of articles whose page names none.
- ``ENCODING_ENABLED``: decode HTML pages in the encoding their bytes are in (UTF-8
  or windows-1256) when the charset they declare, or its absence, says otherwise
  (default on).
- ``GC_THRESHOLD``: allocations between two young-generation collections of Python's
  garbage collector while a crawl runs (default 10000; Python's is 700, which cost a
  2,000-page crawl 0.2-0.3 s); 0 keeps Python's.
- ``UNREACHABLE_AFTER``: requests to a host that must fail for good (connection
  refused, DNS failure, timeout), with no answer from it yet, before it is unreachable;
  a crawl none of whose hosts answered then ends with finish reason ``unreachable``
  (default 1; 0 never gives up).
- ``QUICKSTOP_INTERVAL``: seconds between two looks at whether the crawl is closing;
  once it is, requests still queued are dropped unsent and retry waits end (default
  0.2; 0 waits for them).
- ``INTEGRITY_ENABLED``: retry pages that arrive cut short (no ``</html>`` or
  ``</body>``, or a body shorter than its ``Content-Length``) and fail them when the
  retries run out, so no half page is stored (default on).
"""

from __future__ import annotations

from scrapy.settings.default_settings import EXTENSIONS_BASE as _SCRAPY_EXTENSIONS

BOT_NAME = "arabic-news-crawler"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

CORPUS_DB = "data/corpus.db"
CRAWLER_CONTACT = "https://github.com/arabic-news-crawler"
# ``{contact}`` is filled from CRAWLER_CONTACT by crawler.middlewares.ContactUserAgentMiddleware.
USER_AGENT = "arabic-news-crawler/0.1 (+{contact})"
SITE_TIMEZONE = None
INCREMENTAL_ENABLED = True
INCREMENTAL_KNOWN_STREAK = 5
RUNS_ENABLED = True
RUNS_LOCK_HELD = False
RUNS_MAX_ERROR_SHARE = 0.2
RUNS_MIN_COVERAGE_RATIO = 0.5
PROGRESS_ENABLED = True
PROGRESS_INTERVAL = 1.0
BRIDGE_MAX_PAGES = 5
DISCOVERY_SITEMAPS = True
DISCOVERY_FEEDS = True
DISCOVERY_ARCHIVES = True
DISCOVERY_ARCHIVE_MAX_PAGES = 20
# A batch is written in the crawl's event loop, which waits meanwhile: 200 items took
# 60-100 ms, long enough for every request in flight to end and its connection to sit
# idle; 50 take a quarter of that, and a commit in WAL mode costs little.
STORE_BATCH_SIZE = 50
STORE_FLUSH_SECONDS = 10.0
VALIDATE_MIN_WORDS = 1
VALIDATE_DEFAULT_LANGUAGE = "ar"
# Downloaded pages: right encoding, whole bodies (crawler.middlewares).
ENCODING_ENABLED = True
INTEGRITY_ENABLED = True
# A host that never answered and on which this many requests failed for good (after
# their retries) is unreachable; a crawl none of whose hosts answered then ends.
UNREACHABLE_AFTER = 1
QUICKSTOP_INTERVAL = 0.2

# Politeness for real sites.
ROBOTSTXT_OBEY = True
ROBOTSTXT_USER_AGENT = "arabic-news-crawler"
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_DELAY = 0.5
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
RETRY_TIMES = 3
RETRY_BACKOFF_BASE = 0.5
RETRY_BACKOFF_MAX = 30.0
RETRY_AFTER_MAX = 120.0
COOKIES_ENABLED = False
# Our pipelines are synchronous: Scrapy's default of 100 starts 100 asyncio tasks for
# every response's output, which cost more CPU than the pipelines themselves.
CONCURRENT_ITEMS = 8
# Pending requests wait on disk: a site's sitemaps can name every article at once.
SCHEDULER = "crawler.scheduler.DiskQueueScheduler"
# Scrapy's own lets a host have up to CONCURRENT_REQUESTS at once (crawler/downloader.py).
DOWNLOADER = "crawler.downloader.HostBoundDownloader"
# Stats counted without Scrapy's per-call deprecation shim (crawler/stats.py).
STATS_CLASS = "crawler.stats.QuickStatsCollector"
# Per-page DEBUG messages are not built when LOG_LEVEL would drop them.
LOG_FORMATTER = "crawler.logformat.LevelLogFormatter"
PARSE_WORKERS = 1
GC_THRESHOLD = 10_000
TELNETCONSOLE_ENABLED = False
# An unattended crawl needs no port that runs code sent to it.
REMOTE_CONTROL_ENABLED = False

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.useragent.UserAgentMiddleware": None,
    "crawler.middlewares.ContactUserAgentMiddleware": 500,
    # Both see bodies after HttpCompressionMiddleware (590) has decompressed them;
    # a cut page is retried before its encoding is looked at.
    "crawler.middlewares.IntegrityMiddleware": 588,
    "crawler.middlewares.CharsetMiddleware": 586,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.retry.BackoffRetryMiddleware": 550,
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "crawler.middlewares.QuickMetaRefreshMiddleware": 580,
    # Sees a 3xx before Scrapy's RedirectMiddleware (600) follows it.
    "crawler.middlewares.RedirectLoopMiddleware": 610,
    # Below the retries: sees a request's exception once they are spent.
    "crawler.reachability.ReachabilityMiddleware": 540,
}
# Left out of the base list, not set to None: Scrapy imports every extension it names,
# and these two import server stacks (aiohttp, twisted.conch) start-up would pay for.
EXTENSIONS_BASE = {name: order for name, order in _SCRAPY_EXTENSIONS.items()
                   if name not in ("scrapy.extensions.telnet.TelnetConsole",
                                   "scrapy.extensions.remote_control.RemoteControl")}
del _SCRAPY_EXTENSIONS  # not a setting
EXTENSIONS = {
    "crawler.extensions.RunRecorder": 100,
    "crawler.progress.Progress": 500,
    "crawler.extensions.GCThreshold": 0,
    "crawler.quickstop.QuickStop": 10,
}
ITEM_PIPELINES = {
    "pipelines.validate.ValidatePipeline": 100,
    "pipelines.dedupe.DedupePipeline": 200,
    "pipelines.store.StorePipeline": 300,
}

FEED_EXPORT_ENCODING = "utf-8"
# ``scrapy crawl ... -O FILE`` exports the articles stored (crawler/exports.py): their
# fields as the corpus has them, in this order; not the fetch record, nor what is not
# stored (``dated_by_markup``) or dropped before export (``duplicate_of``).
FEED_EXPORT_FIELDS = ["url", "title", "author", "published", "published_raw", "modified",
                      "categories", "tags", "body", "language", "word_count", "content_hash",
                      "status", "profile", "fetched_at", "aliases", "links", "replaces"]
FEED_EXPORTERS = {"json": "crawler.exports.JsonArticleExporter",
                  "jsonlines": "crawler.exports.JsonLinesArticleExporter",
                  "jsonl": "crawler.exports.JsonLinesArticleExporter",
                  "jl": "crawler.exports.JsonLinesArticleExporter",
                  "csv": "crawler.exports.CsvArticleExporter"}
LOG_LEVEL = "INFO"
