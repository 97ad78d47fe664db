/* 介休文旅云 sign-in: the resend countdown. Without this file the button always works and the
   server says when a new code may be asked for. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("button[data-countdown]").forEach(function (button) {
      var left = Number(button.getAttribute("data-countdown")) || 0;
      var text = button.parentNode.querySelector("[data-countdown-text]");
      if (left <= 0) return;
      button.disabled = true;
      var timer = setInterval(function () {
        left -= 1;
        if (left > 0) {
          if (text) text.textContent = left + " 秒后可重新获取";
          return;
        }
        clearInterval(timer);
        button.disabled = false;
        if (text) text.textContent = "";
      }, 1000);
    });
  });
})();
