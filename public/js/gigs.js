// Gig pages: the "read aloud" button (browser speech synthesis). Hidden when unsupported.
(function () {
  'use strict';
  var button = document.querySelector('[data-read-aloud]');
  if (!button || !('speechSynthesis' in window) || typeof window.SpeechSynthesisUtterance !== 'function') return;
  var lang = document.documentElement.lang || 'zh-CN';
  function pickVoice() {
    var voices = window.speechSynthesis.getVoices() || [];
    var prefix = lang.slice(0, 2).toLowerCase();
    for (var i = 0; i < voices.length; i++) if (voices[i].lang && voices[i].lang.replace('_', '-') === lang) return voices[i];
    for (var j = 0; j < voices.length; j++) if (voices[j].lang && voices[j].lang.toLowerCase().indexOf(prefix) === 0) return voices[j];
    return null;
  }
  button.hidden = false;
  var speaking = false;
  button.addEventListener('click', function () {
    if (speaking) {
      window.speechSynthesis.cancel();
      speaking = false;
      return;
    }
    var parts = [];
    document.querySelectorAll('[data-read]').forEach(function (el) {
      parts.push(el.innerText);
    });
    var u = new window.SpeechSynthesisUtterance(parts.join('。\n'));
    u.lang = lang;
    u.rate = 0.9;
    var v = pickVoice();
    if (v) u.voice = v;
    u.onend = function () {
      speaking = false;
    };
    speaking = true;
    window.speechSynthesis.speak(u);
  });
})();
