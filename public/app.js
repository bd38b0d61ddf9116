/* global document, navigator */
// Shared by every signed-in page (no inline scripts: the CSP forbids them).

// A secret shown once gets a Copy button: hidden in the HTML, shown here only where the clipboard can be written.
for (const button of document.querySelectorAll('button[data-copy]')) {
  const source = document.getElementById(button.dataset.copy);
  const said = button.parentElement.querySelector('.copied');
  if (!source || !navigator.clipboard) continue;
  button.hidden = false;
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      said.textContent = 'Copied';
    } catch {
      said.textContent = 'Could not copy: select the text and copy it by hand.';
    }
  });
}
