// The header menu (a <details>, it opens without JavaScript): Escape closes it and puts
// the focus back on "Menu", as a menu button does (WAI-ARIA APG, disclosure navigation).
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  for (const menu of document.querySelectorAll("details.site-menu[open]")) {
    menu.open = false;
    menu.querySelector("summary").focus();
  }
});
