// Sends a model file to the portal's resumable upload API (/api/admin/uploads) in chunks sliced
// from the File, never reading it whole, and reports progress to a .NET object through JS interop.
// An upload cut off (network, closed tab) resumes where the server says it stopped: the upload id
// is remembered per file in localStorage, and a failed chunk is retried after asking the server.

const chunkBytes = 8 * 1024 * 1024;
const maxRetries = 6;
const api = '/api/admin/uploads';

class RefusedError extends Error {}

async function reasonOf(response) {
    try {
        const problem = await response.json();
        return problem.detail || problem.title || `HTTP ${response.status}`;
    } catch {
        return `HTTP ${response.status}`;
    }
}

async function receivedBytes(id) {
    const response = await fetch(`${api}/${id}`, { credentials: 'same-origin' });
    return response.ok ? (await response.json()).receivedBytes : null;
}

const delay = ms => new Promise(resolve => setTimeout(resolve, ms));

export async function upload(input, dotnet, expectedSha256) {
    const file = input.files && input.files[0];
    if (!file) {
        await dotnet.invokeMethodAsync('OnFailed', 'Choose a GGUF file first.');
        return;
    }

    const key = `portal-upload:${file.name}:${file.size}:${file.lastModified}`;
    try {
        let id = localStorage.getItem(key);
        let received = id ? await receivedBytes(id) : null;
        if (received === null) {
            const start = await fetch(api, {
                method: 'POST',
                credentials: 'same-origin',
                headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify({ fileName: file.name, size: file.size, expectedSha256: expectedSha256 || null }),
            });
            if (!start.ok) {
                throw new RefusedError(await reasonOf(start));
            }

            id = (await start.json()).id;
            received = 0;
            localStorage.setItem(key, id);
        }

        await dotnet.invokeMethodAsync('OnStarted', file.name, file.size, received);
        let failures = 0;
        while (received < file.size) {
            const end = Math.min(received + chunkBytes, file.size);
            let response;
            try {
                response = await fetch(`${api}/${id}`, {
                    method: 'PUT',
                    credentials: 'same-origin',
                    headers: { 'Content-Type': 'application/octet-stream', 'Content-Range': `bytes ${received}-${end - 1}/${file.size}` },
                    body: file.slice(received, end),
                });
            } catch {
                // The connection dropped: wait, ask the server what it kept, and continue from there.
                if (++failures > maxRetries) {
                    throw new Error('The connection failed repeatedly. Choose the same file again to resume where it stopped.');
                }
                await delay(500 * failures);
                received = (await receivedBytes(id).catch(() => null)) ?? received;
                continue;
            }

            if (response.status === 409) {
                const problem = await response.json();
                received = problem.receivedBytes ?? received;
                continue;
            }
            if (!response.ok) {
                if (response.status !== 507) {
                    localStorage.removeItem(key);
                }
                throw new RefusedError(await reasonOf(response));
            }

            failures = 0;
            received = (await response.json()).receivedBytes;
            await dotnet.invokeMethodAsync('OnProgress', received);
        }

        await dotnet.invokeMethodAsync('OnValidating');
        const complete = await fetch(`${api}/${id}/complete`, { method: 'POST', credentials: 'same-origin' });
        if (complete.status !== 409) {
            localStorage.removeItem(key);
        }
        if (!complete.ok) {
            throw new RefusedError(await reasonOf(complete));
        }

        await dotnet.invokeMethodAsync('OnCompleted', await complete.json());
    } catch (error) {
        await dotnet.invokeMethodAsync('OnFailed', error.message || String(error));
    }
}

// A drop zone over the file input: a dropped file becomes the input's file, and a file chosen either way
// starts the upload through the .NET component (OnFileChosen).
export function attachDropZone(zone, input, dotnet) {
    const over = on => zone.classList.toggle('over', on);
    zone.addEventListener('dragover', event => {
        event.preventDefault();
        event.dataTransfer.dropEffect = 'copy';
        over(true);
    });
    zone.addEventListener('dragleave', () => over(false));
    zone.addEventListener('drop', event => {
        event.preventDefault();
        over(false);
        if (input.disabled || !event.dataTransfer.files.length) {
            return;
        }
        input.files = event.dataTransfer.files;
        dotnet.invokeMethodAsync('OnFileChosen');
    });
    input.addEventListener('change', () => {
        if (input.files.length) {
            dotnet.invokeMethodAsync('OnFileChosen');
        }
    });
}
