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
    if (!response.ok) throw new Error((await response.json().catch(() => ({}))).message || response.statusText);
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
