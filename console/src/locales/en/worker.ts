import type { Translation } from '../types.js';
import type { worker as reference } from '../zh-CN/worker.js';

export const worker: Translation<typeof reference> = {
  nav: {
    signIn: 'Sign in',
    submit: 'Ask for a service',
    myDemands: 'My demands',
    endorsed: 'Demands I endorsed',
  },
  signIn: {
    title: 'Sign in to Niudai',
    intro: 'Tell us the service you need; social organizations answer, the union pays.',
    tabSignIn: 'Sign in',
    tabSignUp: 'Sign up',
    login: 'Mobile number or email',
    loginPlaceholder: 'Your mobile number',
    password: 'Password',
    submit: 'Sign in',
    failed: 'Wrong mobile number or password.',
  },
  signUp: {
    displayName: 'Name',
    displayNamePlaceholder: 'The name others see',
    mobile: 'Mobile number',
    mobilePlaceholder: '11 digits',
    password: 'Password',
    passwordHelp: 'At least 8 characters',
    submit: 'Sign up and sign in',
    conflict: 'This mobile number is already registered; please sign in.',
  },
};
