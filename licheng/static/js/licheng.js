/* Small progressive enhancements; every page works without this file. */
(function () {
  "use strict";

  // Collapsible main menu on narrow screens. Without JavaScript the menu simply stays open.
  function setUpMenu() {
    var toggle = document.querySelector(".menu-toggle");
    var nav = document.getElementById("site-nav");
    if (!toggle || !nav) return;
    var narrow = window.matchMedia("(max-width: 47.99em)");

    function setOpen(open) {
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.textContent = open ? toggle.dataset.closeLabel : toggle.dataset.openLabel;
      nav.classList.toggle("is-collapsed", !open);
    }

    function apply() {
      if (narrow.matches) {
        toggle.hidden = false;
        setOpen(false);
      } else {
        toggle.hidden = true;
        nav.classList.remove("is-collapsed");
      }
    }

    toggle.addEventListener("click", function () {
      setOpen(toggle.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && narrow.matches && toggle.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        toggle.focus();
      }
    });
    if (narrow.addEventListener) narrow.addEventListener("change", apply);
    apply();
  }

  // Buttons and forms that ask before doing something hard to undo: data-confirm="question".
  function setUpConfirm() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var question = form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) event.preventDefault();
    });
  }

  // Print buttons: data-print (the Content-Security-Policy allows no inline onclick handlers).
  function setUpPrint() {
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-print]") : null;
      if (button) window.print();
    });
  }

  function setUp() { setUpMenu(); setUpConfirm(); setUpPrint(); }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
