// Dossier's page behaviour: a marker [n] brings its source card into view inside the Sources panel
// (the answer stays where it is); "Open article" on a card opens that article at the passage.
(function () {
  function showSource(id) {
    const card = document.getElementById(id);
    const panel = document.getElementById('sources');
    if (!card || !panel) return;
    const pr = panel.getBoundingClientRect();
    if (pr.top >= window.innerHeight || pr.bottom <= 0) {  // stacked layout: the panel is off screen
      panel.scrollIntoView({block: 'start'});
    }
    const top = card.getBoundingClientRect().top - panel.getBoundingClientRect().top + panel.scrollTop - 8;
    panel.scrollTo({top: Math.max(0, top), behavior: 'auto'});
    card.classList.add('flash');
    setTimeout(() => card.classList.remove('flash'), 1500);
  }

  function openArticle(button) {
    const box = document.querySelector('#open-request textarea, #open-request input');
    const go = document.getElementById('open-go');
    if (!box || !go) return;
    box.value = JSON.stringify({article: button.dataset.article, start: Number(button.dataset.start), t: Date.now()});
    box.dispatchEvent(new Event('input', {bubbles: true}));
    setTimeout(() => go.click(), 50);
  }

  document.addEventListener('click', function (ev) {
    if (!ev.target.closest) return;
    const marker = ev.target.closest('a[href^="#src-"]');
    if (marker) {
      ev.preventDefault(); ev.stopPropagation();
      showSource(marker.getAttribute('href').slice(1));
      return;
    }
    const opener = ev.target.closest('button.open-article');
    if (opener) { ev.preventDefault(); openArticle(opener); }
  }, true);

  // After an article opens at a passage, show the article and the passage inside it (the tab may
  // still be switching, so wait until the passage has a layout).
  function revealPassage(mark, tries) {
    const view = mark.closest('.article-view');
    if (!view) return;
    if (!mark.offsetParent && tries > 0) { requestAnimationFrame(() => revealPassage(mark, tries - 1)); return; }
    view.scrollIntoView({block: 'start'});
    view.scrollTop += mark.getBoundingClientRect().top - view.getBoundingClientRect().top - 40;
  }
  new MutationObserver(function () {
    const mark = document.getElementById('article-passage');
    if (mark && !mark.dataset.shown) { mark.dataset.shown = '1'; revealPassage(mark, 120); }
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
