import type { FlowStep } from './postman-flow.js';

/** Attachments: upload (a file of the repository), read back, delete one unsent, send one with a message. */
export const FILE_STEPS: FlowStep[] = [
  {
    name: 'Upload a file',
    method: 'post',
    path: '/api/uploads',
    file: 'docs/postman/notes.md',
    status: 201,
    checks: { 'a document, typed by its bytes': "b.attachment.kind === 'document' && b.attachment.mimeType === 'text/markdown'" },
    capture: { attachmentId: 'b.attachment.id' },
  },
  {
    name: 'Read the file back',
    method: 'get',
    path: '/api/attachments/:id',
    vars: { id: '{{attachmentId}}' },
    status: 200,
    checks: {
      'its bytes': "pm.response.text().includes('Thursday')",
      'never sniffed': "pm.response.headers.get('X-Content-Type-Options') === 'nosniff'",
    },
  },
  {
    name: 'Upload one more',
    method: 'post',
    path: '/api/uploads',
    file: 'docs/postman/notes.md',
    status: 201,
    capture: { spareAttachmentId: 'b.attachment.id' },
  },
  { name: 'Delete an upload not sent', method: 'delete', path: '/api/attachments/:id', vars: { id: '{{spareAttachmentId}}' }, status: 204 },
  {
    name: 'Send a message with the file',
    method: 'post',
    path: '/api/chats/:id/message',
    body: { content: 'When is the launch? See my notes.', attachments: ['{{attachmentId}}'] },
    status: 201,
    checks: { 'the file is on the message': "b.userMessage.attachments[0].id === pm.collectionVariables.get('attachmentId')" },
  },
];

/** 👍 on the reply just sent (its id captured as `replyId`). */
export const FEEDBACK_STEPS: FlowStep[] = [
  {
    name: 'Rate the reply 👍',
    method: 'put',
    path: '/api/chats/:id/messages/:messageId/feedback',
    vars: { messageId: '{{replyId}}' },
    body: { rating: 'up', comment: 'Clear and short.' },
    status: 200,
    checks: { 'rated up': "b.message.feedback.rating === 'up' && b.message.feedback.comment === 'Clear and short.'" },
  },
];
