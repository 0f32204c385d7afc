import { useEffect, useRef, useState } from 'react';
import { api, attachmentUrl, uploadFile, type Attachment } from './api';
import { describeError } from './errors';

/** At most this many files on one message (as the API allows). */
export const MAX_FILES = 10;
/** What the file picker offers (the server decides by the bytes anyway). */
export const ACCEPT =
  'image/png,image/jpeg,image/webp,image/gif,application/pdf,text/*,.md,.markdown,.csv,.tsv,.json,.txt,.log,.py,.js,.ts,.tsx,.jsx,.java,.c,.h,.cpp,.cs,.go,.rs,.rb,.php,.sh,.sql,.yaml,.yml,.toml,.ini';

export interface PendingFile {
  key: string;
  name: string;
  /** A local preview of an image, while and after it uploads. */
  preview?: string;
  state: 'uploading' | 'ready' | 'failed';
  attachment?: Attachment;
  error?: string;
}

/** Icons as inline SVG (emoji fonts are not everywhere). */
export const PaperclipIcon = () => (
  <svg
    viewBox="0 0 24 24"
    width="18"
    height="18"
    aria-hidden="true"
    fill="none"
    stroke="currentColor"
    strokeWidth="2"
    strokeLinecap="round"
  >
    <path d="M21 11.5 12.5 20a5 5 0 0 1-7-7L14 4.5a3.5 3.5 0 0 1 5 5L10.5 18a2 2 0 0 1-3-3L15 7.5" />
  </svg>
);
const DocumentIcon = () => (
  <svg
    viewBox="0 0 24 24"
    width="18"
    height="18"
    aria-hidden="true"
    fill="none"
    stroke="currentColor"
    strokeWidth="2"
    strokeLinejoin="round"
  >
    <path d="M14 3H6v18h12V7z" />
    <path d="M14 3v4h4M9 12h6M9 16h6" />
  </svg>
);

const sizeOf = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;

/** The files about to be sent: each uploads as soon as it is added; removing one deletes its upload. */
export function usePendingFiles() {
  const [files, setFiles] = useState<PendingFile[]>([]);
  const previews = useRef(new Set<string>());
  useEffect(() => () => previews.current.forEach((url) => URL.revokeObjectURL(url)), []);

  const update = (key: string, change: Partial<PendingFile>) =>
    setFiles((all) => all.map((f) => (f.key === key ? { ...f, ...change } : f)));

  const add = (picked: File[]) => {
    const room = MAX_FILES - files.length;
    for (const file of picked.slice(0, Math.max(0, room))) {
      const key = crypto.randomUUID();
      const preview = file.type.startsWith('image/') ? URL.createObjectURL(file) : undefined;
      if (preview) previews.current.add(preview);
      setFiles((all) => [...all, { key, name: file.name || 'pasted image', preview, state: 'uploading' }]);
      uploadFile(file).then(
        (attachment) => update(key, { state: 'ready', attachment }),
        (err: unknown) => update(key, { state: 'failed', error: describeError(err) }),
      );
    }
    return picked.length > room ? `At most ${MAX_FILES} files per message.` : null;
  };

  const remove = (key: string) => {
    const file = files.find((f) => f.key === key);
    if (file?.attachment) void api(`/api/attachments/${file.attachment.id}`, { method: 'DELETE' }).catch(() => undefined);
    setFiles((all) => all.filter((f) => f.key !== key));
  };

  return {
    files,
    add,
    remove,
    /** Forgets the files once sent (their uploads now belong to the message). */
    clear: () => setFiles([]),
    ids: files.flatMap((f) => (f.attachment ? [f.attachment.id] : [])),
    uploading: files.some((f) => f.state === 'uploading'),
    failed: files.some((f) => f.state === 'failed'),
  };
}

/** Thumbnails and chips of the files about to be sent, each with a remove button. */
export function PendingFiles({ files, onRemove }: { files: PendingFile[]; onRemove(key: string): void }) {
  if (files.length === 0) return null;
  return (
    <ul className="pending-files" aria-label="Files to send">
      {files.map((f) => (
        <li key={f.key} className={`file-chip ${f.state}`} title={f.error ?? f.name}>
          {f.preview ? <img src={f.preview} alt={f.name} className="thumb" /> : <DocumentIcon />}
          <span className="file-name">{f.name}</span>
          {f.state === 'uploading' && <span className="file-state">Uploading…</span>}
          {f.state === 'failed' && (
            <span className="file-state" role="alert">
              {f.error}
            </span>
          )}
          <button type="button" className="icon small" aria-label={`Remove ${f.name}`} onClick={() => onRemove(f.key)}>
            ×
          </button>
        </li>
      ))}
    </ul>
  );
}

/** A message's files: images as thumbnails (click to enlarge), documents as chips that download. */
export function MessageFiles({ attachments, shareToken }: { attachments: Attachment[]; shareToken?: string }) {
  const [enlarged, setEnlarged] = useState<Attachment | null>(null);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    if (enlarged) dialog.current?.showModal?.();
  }, [enlarged]);
  if (attachments.length === 0) return null;
  return (
    <div className="message-files">
      {attachments.map((a) =>
        a.kind === 'image' ? (
          <button key={a.id} type="button" className="image-button" onClick={() => setEnlarged(a)} aria-label={`Enlarge ${a.name}`}>
            <img src={attachmentUrl(a.id, shareToken)} alt={a.name} className="message-image" loading="lazy" />
          </button>
        ) : (
          <a key={a.id} className="file-chip document" href={attachmentUrl(a.id, shareToken)} download={a.name}>
            <DocumentIcon />
            <span className="file-name">{a.name}</span>
            <span className="file-state">{sizeOf(a.size)}</span>
          </a>
        ),
      )}
      {enlarged && (
        <dialog
          ref={dialog}
          className="lightbox"
          aria-label={enlarged.name}
          onClose={() => setEnlarged(null)}
          onClick={() => dialog.current?.close()}
        >
          <img src={attachmentUrl(enlarged.id, shareToken)} alt={enlarged.name} />
          <button type="button" className="icon" aria-label="Close" onClick={() => dialog.current?.close()}>
            ×
          </button>
        </dialog>
      )}
    </div>
  );
}
