// scoped console: ask before a form marked data-confirm does something
// that cannot be undone. Everything works without this script.
document.addEventListener("submit", function (e) {
  var msg = e.target.getAttribute("data-confirm");
  if (msg && !window.confirm(msg)) {
    e.preventDefault();
  }
});
