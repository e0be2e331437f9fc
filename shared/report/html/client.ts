/**
 * The page's only script, inline and static (no report data inside it): a tooltip for every element with
 * `data-n` (name) and `data-d` (details), placed next to the pointer. Text goes in with textContent.
 */
export const CLIENT_SCRIPT = `(function () {
  var tip = document.getElementById('tip');
  if (!tip) return;
  var nameEl = tip.querySelector('.tip-name');
  var detailEl = tip.querySelector('.tip-detail');
  function target(e) {
    var el = e.target;
    while (el && el !== document && !(el.getAttribute && el.getAttribute('data-n') !== null)) el = el.parentNode;
    return el && el !== document ? el : null;
  }
  function place(e) {
    var x = e.clientX + 14, y = e.clientY + 14;
    var r = tip.getBoundingClientRect();
    if (x + r.width > window.innerWidth - 8) x = Math.max(8, e.clientX - r.width - 14);
    if (y + r.height > window.innerHeight - 8) y = Math.max(8, e.clientY - r.height - 14);
    tip.style.left = x + 'px';
    tip.style.top = y + 'px';
  }
  document.addEventListener('mouseover', function (e) {
    var el = target(e);
    if (!el) { tip.hidden = true; return; }
    nameEl.textContent = el.getAttribute('data-n');
    detailEl.textContent = el.getAttribute('data-d') || '';
    tip.hidden = false;
    place(e);
  });
  document.addEventListener('mousemove', function (e) { if (!tip.hidden) place(e); });
  document.addEventListener('mouseleave', function () { tip.hidden = true; });
})();`;
