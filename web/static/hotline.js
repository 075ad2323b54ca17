// Hotline console: ticking an indicator reveals its follow-up questions in
// place (and unticking hides them). Without this script the page still
// works: the questions of ticked indicators appear after "Save and continue".
(function () {
  'use strict';
  document.addEventListener('change', function (e) {
    var box = e.target;
    if (!(box instanceof HTMLInputElement) || box.type !== 'checkbox' || !box.hasAttribute('data-followup')) {
      return;
    }
    var block = document.getElementById(box.getAttribute('data-followup'));
    if (!block) {
      return;
    }
    block.hidden = !box.checked;
    // The server moves on to the next section only when the questions of
    // every ticked indicator were on screen.
    var shown = block.querySelector('input[name="shown"]');
    if (shown) {
      shown.disabled = !box.checked;
    }
  });
})();
