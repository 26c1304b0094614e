// Progressive enhancement: forms marked data-async post in the background and update in place.
document.addEventListener("submit", async (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-async")) return;
  event.preventDefault();
  const button = form.querySelector("button[type=submit]");
  if (button) button.disabled = true;
  try {
    const response = await fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    });
    if (!response.ok) {
      const answer = await response.json().catch(() => ({}));
      if (response.status === 409 && answer.introduction_id) {
        // proposed meanwhile (another tab, a colleague): say so instead of offering it again
        const said = document.createElement("p");
        said.className = "introduced";
        said.textContent = answer.message;
        form.replaceWith(said);
        toast(answer.message);
        return;
      }
      throw new Error(answer.message || response.statusText);
    }
    if (button) button.textContent = form.dataset.done || "Done";
    toast(form.dataset.done || "Done");
  } catch (error) {
    if (button) button.disabled = false;
    toast("Could not save: " + error.message);
  }
});

function toast(message) {
  const box = document.getElementById("toast");
  if (!box) return;
  box.textContent = message;
  box.classList.add("show");
  setTimeout(() => box.classList.remove("show"), 2500);
}

// After a search the page opens at #results: move the focus there too (screen readers, keyboards).
document.addEventListener("DOMContentLoaded", () => {
  if (location.hash !== "#results") return;
  const results = document.getElementById("results");
  if (results) results.focus({ preventScroll: true });
});
