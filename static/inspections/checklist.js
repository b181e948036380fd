/* The checklist's jump bar (record.html, [data-checklist-jump]).
 *
 * "下一未填项" / "下一不合格项" look on this page first, from the item below the one at the top
 * of the screen, wrapping round to the first one; the item's body is unfolded and it is
 * scrolled into view. With none left on this page the link's data-elsewhere (the first such
 * item in another section, computed by the server) is followed; with none anywhere the person
 * is told so. Without JavaScript the plain link leads to the first such item of the section.
 * Answers are read from the form (the checked radio), so items answered since the page loaded
 * count as answered.
 */
(function () {
  "use strict";
  var bar = document.querySelector("[data-checklist-jump]");
  if (!bar) { return; }
  var message = document.querySelector("[data-jump-message]");

  function resultOf(card) {
    var checked = card.querySelector("input[name=result]:checked");
    return checked ? checked.value : "";
  }

  var TESTS = {
    unanswered: function (card) { return resultOf(card) === ""; },
    failed: function (card) { return resultOf(card) === "fail"; }
  };

  function unfold(card) {
    var body = card.querySelector("[data-item-body]");
    if (body && !body.classList.contains("show")) {
      if (window.bootstrap && window.bootstrap.Collapse) {
        window.bootstrap.Collapse.getOrCreateInstance(body, { toggle: false }).show();
      } else {
        body.classList.add("show");
      }
      var toggle = card.querySelector(".answer-toggle");
      if (toggle) {
        toggle.classList.remove("collapsed");
        toggle.setAttribute("aria-expanded", "true");
      }
    }
  }

  function say(text) {
    if (!message) { return; }
    message.textContent = text;
    message.classList.toggle("d-none", !text);
  }

  function target(kind) {
    var cards = Array.prototype.slice.call(document.querySelectorAll(".answer-card"));
    var matching = cards.filter(TESTS[kind]);
    if (!matching.length) { return null; }
    // The first match below the card now at the top of the screen, else the first one.
    var below = matching.filter(function (card) { return card.getBoundingClientRect().top > 8; });
    return below[0] || matching[0];
  }

  bar.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-jump]") : null;
    if (!link) { return; }
    event.preventDefault();
    say("");
    var card = target(link.getAttribute("data-jump"));
    if (card) {
      unfold(card);
      card.scrollIntoView({ block: "start", behavior: "smooth" });
      var first = card.querySelector("input[name=result]:checked, input[name=result]");
      if (first) { first.focus({ preventScroll: true }); }
      return;
    }
    var elsewhere = link.getAttribute("data-elsewhere");
    if (elsewhere) {
      window.location.href = elsewhere;
      return;
    }
    say(bar.getAttribute("data-text-none"));
  });

  // "其余 N 项全部合格" counts down as items of this page are answered (saved by record.js).
  var passForm = document.querySelector("form[data-pass-remaining]");
  if (passForm) {
    var atLoad = parseInt(passForm.getAttribute("data-pass-remaining"), 10) || 0;
    var blankAtLoad = Array.prototype.filter.call(
      document.querySelectorAll(".answer-card"), TESTS.unanswered
    );
    var label = passForm.querySelector("[data-pass-remaining-text]");
    var button = passForm.querySelector("[data-text-template]");
    document.addEventListener("change", function (event) {
      if (!event.target || event.target.name !== "result") { return; }
      var n = atLoad - blankAtLoad.filter(function (card) { return !TESTS.unanswered(card); }).length;
      if (label && button) {
        label.textContent = button.getAttribute("data-text-template").replace("__N__", n);
      }
      passForm.setAttribute(
        "data-confirm", passForm.getAttribute("data-confirm-template").replace("__N__", n)
      );
    });
  }

  // Arriving at #item-N (a jump from another section, a link from the review page): unfold it.
  if (window.location.hash.indexOf("#item-") === 0) {
    var arrived = document.getElementById(window.location.hash.slice(1));
    if (arrived) { unfold(arrived); }
  }
})();
