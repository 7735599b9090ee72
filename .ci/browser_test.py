"""The demo app (`clip-nbdev demo`, nbs/27_demo.ipynb) in a real browser: headless Chromium, driven by Playwright.

Given the URL of a running demo, it loads the page, searches (waiting until the matches' images have loaded), classifies
an uploaded image and a clicked match, waits (classifying again) for the table of best-matching captions to fill in
if the app is still embedding them, asks for the images similar to that match (which must not be among them),
checks the message of an empty query, and saves screenshots. It fails on any
request to a host other than the app's (such requests are also blocked, so the test holds offline and online alike), on
an error in the browser's console or page, and on a failed request to the app. Timings go to stdout and OUT/browser.json.

    python .ci/browser_test.py http://127.0.0.1:7860/ --upload IMAGE [--out runs/demo]

Playwright drives the system's Chromium (Debian's `chromium` package), found on the PATH or given by --chromium:
`playwright install`, which downloads a browser build of its own, is never needed.
"""
import argparse, json, re, shutil, statistics, sys, time
from pathlib import Path
from urllib.parse import urlparse

from playwright.sync_api import sync_playwright

LOCAL_HOSTS = {'127.0.0.1', 'localhost', '::1', '[::1]'}
IMAGES_LOADED = """([k, before]) => {
    const ims = [...document.querySelectorAll('#gallery img')];
    const srcs = ims.map(i => i.src).join(' ');
    return ims.length === k && srcs !== before && ims.every(i => i.complete && i.naturalWidth > 0);
}"""
LABELS_SHOWN = """(labels) => {
    const shown = [...document.querySelectorAll('#probs [data-testid$="-confidence-set"]')]
        .map(e => e.getAttribute('data-testid').replace(/-confidence-set$/, ''));
    return shown.length === labels.length && labels.every(l => shown.includes(l));
}"""
IMAGE_SHOWN = """() => {
    const name = s => decodeURIComponent(s).split('/').pop();
    const first = document.querySelector('#gallery img'), shown = document.querySelector('#image img');
    return shown && shown.complete && shown.naturalWidth > 0 && name(shown.src) === name(first.src);
}"""
IDLE = """() => [...document.querySelectorAll('[data-testid="status-tracker"]')].every(e => e.classList.contains('hide'))"""
GALLERY_SRCS = "() => [...document.querySelectorAll('#gallery img')].map(i => i.src).join(' ')"


def chromium_path(given=None) -> str:
    "The Chromium binary: `given`, or Debian's (the real binary, not its shell launcher), or one on the PATH."
    for p in (given, '/usr/lib/chromium/chromium', shutil.which('chromium'), shutil.which('chromium-browser')):
        if p and Path(p).is_file(): return p
    sys.exit("FAIL: no Chromium found: apt-get install -y chromium, or give --chromium")


class Watch:
    "What the page did that it should not: requests to other hosts, console errors, page errors, failed requests."
    def __init__(self, page, app_host:str):
        self.foreign, self.errors, self.failed, self.app_host = [], [], [], app_host
        page.on('console', lambda m: m.type == 'error' and self.errors.append(f'console: {m.text}'))
        page.on('pageerror', lambda e: self.errors.append(f'page error: {e}'))
        page.on('response', lambda r: r.status >= 400 and self.failed.append(f'{r.status} {r.url}'))
        page.on('requestfailed', lambda r: self.local(r.url) and not self.closed_stream(r)
                                           and self.failed.append(f'failed: {r.url} ({r.failure})'))
        page.route('**/*', self.route)

    @staticmethod
    def closed_stream(r) -> bool:
        "Whether `r` is an event stream of the app that the page closed itself: the queue's, or an upload's progress."
        # each is closed once its answer came, or its upload finished: a race a loaded machine sometimes shows
        return any(s in r.url for s in ('/gradio_api/queue/data', '/gradio_api/upload_progress')) and r.failure == 'net::ERR_ABORTED'

    def local(self, url:str) -> bool:
        u = urlparse(url)
        return u.scheme in ('data', 'blob', 'about') or u.hostname in LOCAL_HOSTS or u.netloc == self.app_host

    def route(self, route):
        if self.local(route.request.url): return route.continue_()
        self.foreign.append(route.request.url)
        return route.abort()

    def problems(self) -> list:
        return ([f'request to another host: {u}' for u in self.foreign] + self.errors +
                [f'failed request: {f}' for f in self.failed])


def timed(f) -> float:
    t = time.perf_counter(); f()
    return time.perf_counter() - t


class Steps:
    "Runs the test's steps by name: a step that fails saves a screenshot, FAILED-<name>.png, and ends the test with its name."
    def __init__(self, page, out:Path): self.page, self.out = page, out
    def __call__(self, name:str, f):
        try: return f()
        except Exception as e:
            self.page.screenshot(path=str(self.out/f'FAILED-{name}.png'), full_page=True)
            sys.exit(f"FAIL: browser test, step '{name}': {type(e).__name__}: {str(e).splitlines()[0]}")


def screenshot(page, path, full_page:bool=True):
    "A screenshot of `page` once no answer is pending and the page has settled (images fade in)."
    page.wait_for_function(IDLE)
    page.wait_for_timeout(500)
    page.screenshot(path=str(path), full_page=full_page)


def search(page, query:str, k:int, timeout_ms:int) -> float:
    "Type `query`, press Enter, and wait until `k` new images have loaded in the gallery; the seconds it took."
    before = page.evaluate(GALLERY_SRCS)
    page.fill('#query textarea', query)
    return timed(lambda: (page.press('#query textarea', 'Enter'),
                          page.wait_for_function(IMAGES_LOADED, arg=[k, before], timeout=timeout_ms)))


def classify(page, labels:list, start, timeout_ms:int) -> float:
    "Type `labels`, do `start` (a click or an upload), and wait until the bars show exactly those labels; the seconds."
    page.fill('#labels textarea', ', '.join(labels))
    return timed(lambda: (start(), page.wait_for_function(LABELS_SHOWN, arg=labels, timeout=timeout_ms)))


NOT_AMONG_MATCHES = """() => {
    const name = s => decodeURIComponent(s).split('/').pop();
    const shown = name(document.querySelector('#image img').src);
    return [...document.querySelectorAll('#gallery img')].every(i => name(i.src) !== shown);
}"""


def similar(page, k:int, timeout_ms:int) -> float:
    "Click 'Similar images' and wait until `k` new images have loaded; fail if the image on the right is among them."
    before = page.evaluate(GALLERY_SRCS)
    secs = timed(lambda: (page.click('#similar'), page.wait_for_function(IMAGES_LOADED, arg=[k, before], timeout=timeout_ms)))
    if not page.evaluate(NOT_AMONG_MATCHES): raise AssertionError('the clicked image is among its own similar images')
    return secs


# Gradio's table draws its rows as a virtual list of grid cells; the <tbody> it also holds is a hidden one, for sizing
FIRST_ROW = """() => [...document.querySelectorAll('#captions [role=gridcell][data-row="0"]')].map(c => c.textContent.trim()).join(' | ')"""
LOADING = '…'  # the score the app shows while it still embeds the captions (clip_nbdev.demo.LOADING)


def captions_row(page, timeout_ms:int) -> str:
    "The captions table's first row, once it has one."
    page.wait_for_function("() => document.querySelectorAll('#captions [role=gridcell]').length > 0", timeout=timeout_ms)
    return page.evaluate(FIRST_ROW)


def captions_filled(page, timeout_ms:int, fill_timeout_s:float) -> tuple:
    """Whether the captions table said the captions were still loading, and the seconds until it showed them (0 when
    it already did), classifying again every few seconds, as the table's message asks."""
    start, row = time.perf_counter(), captions_row(page, timeout_ms)
    loading = LOADING in row
    while LOADING in row:
        if time.perf_counter() - start > fill_timeout_s:
            raise TimeoutError(f"the captions table still says they are loading after {fill_timeout_s:.0f} s")
        page.wait_for_timeout(2000)
        page.click('#classify')
        page.wait_for_timeout(300)  # for the answer's status tracker to show
        page.wait_for_function(IDLE, timeout=timeout_ms)
        row = captions_row(page, timeout_ms)
    return loading, time.perf_counter() - start if loading else 0.


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('url')
    p.add_argument('--upload', required=True, help='an image file to upload and classify')
    p.add_argument('--queries', default='a red circle,a blue square,a green triangle,a yellow diamond,a purple circle,an orange square',
                   help="comma-separated, each answered by other images than the one before; the first is the screenshot's")
    p.add_argument('--labels', default='red circle,blue square,green triangle,yellow diamond', help='labels for the upload')
    p.add_argument('--click-labels', default='red circle,red square,blue circle', help='labels for the first match, clicked')
    p.add_argument('--k', type=int, default=9, help="images a query shows: the app's default")
    p.add_argument('--out', default='runs/demo', help='folder for the screenshots and browser.json')
    p.add_argument('--docs', help='also save a screenshot of the window for the docs to this PNG')
    p.add_argument('--chromium', help='Chromium binary (default: Debian\'s)')
    p.add_argument('--timeout', type=float, default=60, help='seconds to wait for each answer')
    p.add_argument('--captions-timeout', type=float, default=600, help='seconds to wait for the captions table to fill in')
    a = p.parse_args()
    out, ms = Path(a.out), int(a.timeout * 1000)
    out.mkdir(parents=True, exist_ok=True)
    queries, t = a.queries.split(','), {}
    labels, click_labels = ([l.strip() for l in ls.split(',')] for ls in (a.labels, a.click_labels))

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(a.chromium), headless=True,
                                     args=['--no-sandbox', '--disable-dev-shm-usage'])  # root in a container
        page = browser.new_page(viewport={'width': 1280, 'height': 1000})
        watch, step = Watch(page, urlparse(a.url).netloc), Steps(page, out)
        t['page_load_s'] = step('load', lambda: timed(lambda: (page.goto(a.url, wait_until='load', timeout=ms),
                                                              page.wait_for_selector('#query textarea', timeout=ms))))
        t['first_query_s'] = step('search', lambda: search(page, queries[0], a.k, ms))
        screenshot(page, out/'search.png')
        t['query_s'] = step('more queries', lambda: [search(page, q, a.k, ms) for q in queries[1:] + queries[:1]])
        upload = lambda: page.set_input_files('#image input[type=file]', a.upload)
        t['classify_upload_s'] = step('classify an upload', lambda: classify(page, labels, upload, ms))
        click = lambda: page.locator('#gallery img').first.click()
        t['classify_click_s'] = step('classify a match', lambda: classify(page, click_labels, click, ms))
        step('clicked image shown', lambda: page.wait_for_function(IMAGE_SHOWN, timeout=ms))
        screenshot(page, out/'classify.png')
        t['captions_loading'], t['captions_fill_s'] = step(
            'captions table filled in', lambda: captions_filled(page, ms, a.captions_timeout))
        if t['captions_loading']: screenshot(page, out/'classify-captions.png')
        t['similar_s'] = step('similar images of the clicked match', lambda: similar(page, a.k, ms))
        screenshot(page, out/'similar.png')
        if a.docs: screenshot(page, a.docs, full_page=False)
        page.fill('#query textarea', ' ')  # a mistake: its message, in words, must show
        step('error message', lambda: (page.press('#query textarea', 'Enter'),
                                       page.get_by_text('The query is empty').first.wait_for(timeout=ms)))
        browser.close()

    t['query_median_s'] = statistics.median(t['query_s'])
    (out/'browser.json').write_text(json.dumps(t, indent=2))
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else [round(x, 3) for x in v] if isinstance(v, list) else v for k, v in t.items()}))
    problems = watch.problems()
    if problems: sys.exit('FAIL: ' + '\n  '.join(['the page:'] + problems))
    print(f"browser test: ok (search, classify an upload and a match, similar images, an error message); screenshots in {out}")


if __name__ == '__main__': main()
