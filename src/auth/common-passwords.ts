/**
 * The commonest passwords of 8+ characters, from public breach-frequency lists. Refused at registration
 * and password change (compared lower-cased), since credential-stuffing lists start with them.
 */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '12345678', '123456789', '1234567890', '12345678910', '123123123', '11111111', '00000000', '88888888',
  '87654321', '987654321', '0987654321', '11223344', '12341234', '1q2w3e4r', '1q2w3e4r5t', '1qaz2wsx',
  'password', 'password1', 'password12', 'password123', 'password!', 'passw0rd', 'p@ssw0rd', 'p@ssword',
  'qwertyui', 'qwertyuiop', 'qwerty123', 'qwerty12', 'qwe123qwe', 'asdfghjk', 'asdfghjkl', 'zxcvbnm1',
  'iloveyou', 'iloveyou1', 'sunshine', 'sunshine1', 'princess', 'princess1', 'football', 'football1',
  'baseball', 'basketball', 'superman', 'batman123', 'starwars', 'whatever', 'trustno1', 'welcome1',
  'welcome123', 'letmein1', 'letmein123', 'admin123', 'administrator', 'abc12345', 'abcd1234', 'abcdefgh',
  'aa123456', 'a1234567', 'changeme', 'changeme123', 'computer', 'internet', 'michelle', 'jennifer',
  'jordan23', 'liverpool', 'chelsea1', 'arsenal1', 'pokemon1', 'minecraft', 'master12', 'mustang1',
  'shadow12', 'monkey12', 'dragon12', 'charlie1', 'michael1', 'jessica1', 'ashley12', 'hello123',
  'hello1234', 'freedom1', 'whatever1', 'qazwsxedc', 'zaq12wsx', '!qaz2wsx', 'q1w2e3r4', 'q1w2e3r4t5',
  'google123', 'samsung1', 'secret123', 'test1234', 'testtest', 'guest123', 'default1', 'login123',
  'loveyou1', 'lovely12', 'blink182', 'spiderman', 'pass1234', 'password2', 'password01', 'passwort',
  'motdepasse', 'contraseña', 'senha123', 'azertyuiop', 'qwertz123', 'correct horse battery staple',
]);

export function isCommonPassword(password: string): boolean {
  return COMMON_PASSWORDS.has(password.toLowerCase());
}
