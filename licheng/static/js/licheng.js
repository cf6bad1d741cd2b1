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

  // Buttons and forms that ask before doing something hard to undo: data-confirm="question" on the
  // form or on the button that submits it.
  function setUpConfirm() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var button = event.submitter;
      var question = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
      if (question && !window.confirm(question)) event.preventDefault();
    });
  }

  // Tables that scroll sideways (on a phone) become labelled regions a keyboard can reach and
  // scroll: every table.table sits in a .table-wrap; a wrap wider than its box gets tabindex="0",
  // role="region" and a label (the table's caption, else the nearest heading before it).
  function labelFor(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption && caption.textContent.trim()) return caption.textContent.trim();
    var node = wrap;
    while (node && node !== document.body) {
      var previous = node.previousElementSibling;
      while (previous) {
        if (/^H[1-6]$/.test(previous.tagName)) return previous.textContent.trim();
        var inner = previous.querySelectorAll ? previous.querySelectorAll("h1, h2, h3, h4") : [];
        if (inner.length) return inner[inner.length - 1].textContent.trim();
        previous = previous.previousElementSibling;
      }
      node = node.parentElement;
    }
    return document.title;
  }

  function setUpScrollRegions() {
    var tables = document.querySelectorAll("table.table");
    Array.prototype.forEach.call(tables, function (table) {
      if (table.parentElement && table.parentElement.classList.contains("table-wrap")) return;
      var wrap = document.createElement("div");
      wrap.className = "table-wrap";
      table.parentNode.insertBefore(wrap, table);
      wrap.appendChild(table);
    });
    function apply() {
      Array.prototype.forEach.call(document.querySelectorAll(".table-wrap"), function (wrap) {
        if (wrap.scrollWidth > wrap.clientWidth + 1) {
          wrap.setAttribute("tabindex", "0");
          wrap.setAttribute("role", "region");
          if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
            wrap.setAttribute("aria-label", labelFor(wrap));
          }
        } else if (wrap.getAttribute("tabindex") === "0" && !wrap.hasAttribute("data-focusable")) {
          wrap.removeAttribute("tabindex");
          wrap.removeAttribute("role");
        }
      });
    }
    apply();
    window.addEventListener("resize", apply);
  }

  // A "tick all" checkbox: data-select-all="name" ticks or clears every checkbox of that name.
  function setUpSelectAll() {
    document.addEventListener("change", function (event) {
      var box = event.target;
      var name = box.getAttribute && box.getAttribute("data-select-all");
      if (!name) return;
      var boxes = document.querySelectorAll('input[type="checkbox"][name="' + name + '"]');
      Array.prototype.forEach.call(boxes, function (other) { other.checked = box.checked; });
    });
  }

  // A long list to choose from (<select data-searchable>): a search box above it shows only the
  // options containing what is typed (chosen ones stay chosen), and a line says how many are chosen.
  function setUpSearchableSelects() {
    Array.prototype.forEach.call(document.querySelectorAll("select[data-searchable]"), function (select) {
      var search = document.createElement("input");
      search.type = "search";
      search.className = "select-search";
      search.setAttribute("aria-label", select.getAttribute("data-search-label") || "");
      search.placeholder = select.getAttribute("data-search-label") || "";
      search.setAttribute("aria-controls", select.id);
      var count = document.createElement("span");
      count.className = "muted select-count";
      count.setAttribute("aria-live", "polite");
      select.parentNode.insertBefore(search, select);
      select.parentNode.insertBefore(count, select.nextSibling);
      function showCount() {
        count.textContent = select.selectedOptions.length + " / " + select.options.length;
      }
      search.addEventListener("input", function () {
        var words = search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
        Array.prototype.forEach.call(select.options, function (option) {
          var text = option.textContent.toLowerCase();
          option.hidden = !words.every(function (w) { return text.indexOf(w) !== -1; });
        });
      });
      select.addEventListener("change", showCount);
      showCount();
    });
  }

  // Print buttons: data-print (the Content-Security-Policy allows no inline onclick handlers).
  function setUpPrint() {
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-print]") : null;
      if (button) window.print();
    });
  }

  // Copy buttons: data-copy="text" puts the text on the clipboard; data-copied is the label after.
  function setUpCopy() {
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest("[data-copy]") : null;
      if (!button || !navigator.clipboard) return;
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        button.textContent = button.getAttribute("data-copied") || button.textContent;
      });
    });
  }

  function setUp() {
    setUpPrint();
    setUpCopy();
    setUpSearchableSelects();
    setUpSelectAll();
    setUpMenu();
    setUpConfirm();
    setUpScrollRegions();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
