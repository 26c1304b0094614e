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

// The batch page: while a job runs, fetch the page again every few seconds and swap in its
// jobs table, until no job is queued or running (without JavaScript a meta refresh does this).
function pollJobs() {
  const jobs = document.getElementById("jobs");
  const source = jobs && jobs.dataset.poll;
  if (!source) return;
  setTimeout(async () => {
    try {
      const response = await fetch(source, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) return;
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById("jobs");
      if (fresh) jobs.replaceWith(document.adoptNode(fresh));
    } catch (error) {
      // the server is busy or gone: try again on the next turn
    }
    pollJobs();
  }, 2000);
}
document.addEventListener("DOMContentLoaded", pollJobs);
