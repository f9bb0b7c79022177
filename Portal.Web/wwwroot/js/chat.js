// The chat page's behaviour in the browser: the composer's keys, following the answer as it streams,
// and the copy buttons of code blocks. Loaded as a module by the chat page (no inline script: the
// portal's Content-Security-Policy allows scripts from its own files only).

// Enter sends, Shift+Enter is a new line; a key that ends an IME composition (isComposing, or the
// legacy keyCode 229 some browsers still send) is left to the IME.
export function attachComposer(textarea, dotnet) {
    textarea.addEventListener('keydown', event => {
        if (event.key !== 'Enter' || event.shiftKey || event.isComposing || event.keyCode === 229) {
            return;
        }
        event.preventDefault();
        if (textarea.value.trim().length > 0) {
            dotnet.invokeMethodAsync('SendFromKeyboard', textarea.value);
        }
    });

    // Browsers without CSS field-sizing grow the box here.
    if (!(window.CSS && CSS.supports('field-sizing', 'content'))) {
        const grow = () => {
            textarea.style.height = 'auto';
            textarea.style.height = `${textarea.scrollHeight}px`;
        };
        textarea.addEventListener('input', grow);
        grow();
    }
    textarea.dataset.keys = 'ready';
}

// Keeps the newest text in view while an answer streams, until the person scrolls up; then a
// "jump to latest" button appears and takes them back (and following resumes).
export function followMessages(scroller, jump) {
    let following = true;
    let pinnedTop = 0; // where the last scroll to the end left the view
    const nearEnd = () => scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
    const show = visible => { jump.classList.toggle('show', visible); };
    const toEnd = () => {
        scroller.scrollTop = scroller.scrollHeight;
        pinnedTop = scroller.scrollTop;
    };
    const follow = () => { following = true; toEnd(); show(false); };

    show(false);
    scroller.addEventListener('scroll', () => {
        following = nearEnd();
        if (following) {
            show(false);
        }
    }, { passive: true });
    new MutationObserver(() => {
        // Text may arrive before the scroll event of a person's scroll up: the position tells.
        if (following && scroller.scrollTop < pinnedTop - 2) {
            following = false;
        }
        if (following) {
            toEnd();
        } else if (!nearEnd()) {
            show(true);
        }
    }).observe(scroller, { childList: true, subtree: true, characterData: true });
    jump.addEventListener('click', follow);
    scroller.portalFollow = follow;
    toEnd();
}

// After another conversation opens: start at its end, following.
export function scrollToEnd(scroller) {
    scroller?.portalFollow?.();
}

// Copy buttons of code blocks (rendered by the server beside each block): one listener for all.
document.addEventListener('click', async event => {
    const button = event.target instanceof Element ? event.target.closest('.code-copy') : null;
    const code = button?.closest('.code-block')?.querySelector('pre');
    if (!code) {
        return;
    }
    try {
        await navigator.clipboard.writeText(code.innerText.replace(/\n$/, ''));
        button.dataset.state = 'copied';
    } catch {
        button.dataset.state = 'failed';
    }
    setTimeout(() => { delete button.dataset.state; }, 2000);
});
