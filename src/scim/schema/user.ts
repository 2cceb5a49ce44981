// The core User schema, attribute for attribute as RFC 7643 §8.7.1 represents it (prose in §4.1).

import { attribute } from './types.js';
import { EMAIL_MAX_BYTES, IDENTIFIER_MAX_BYTES, INDEXED_URL_MAX_BYTES, URL_MAX_BYTES, USER_NAME_MAX_BYTES } from './limits.js';
import type { SchemaDefinition } from './types.js';

const DISPLAY = 'A human-readable name, primarily used for display purposes.  READ-ONLY.';
const FUNCTION = "A label indicating the attribute's function.";

export const USER_SCHEMA: SchemaDefinition = {
  id: 'urn:ietf:params:scim:schemas:core:2.0:User',
  name: 'User',
  description: 'User Account',
  attributes: [
    attribute('userName', 'string', {
      description:
        "Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value.  This identifier MUST be unique across the service provider's entire set of Users. REQUIRED.",
      required: true,
      uniqueness: 'server',
      maxBytes: USER_NAME_MAX_BYTES,
    }),
    attribute('name', 'complex', {
      description:
        "The components of the user's real name. Providers MAY return just the full name as a single string in the formatted sub-attribute, or they MAY return just the individual component attributes using the other sub-attributes, or they MAY return both.  If both variants are returned, they SHOULD be describing the same name, with the formatted name indicating how the component attributes should be combined.",
      subAttributes: [
        attribute('formatted', 'string', {
          description:
            "The full name, including all middle names, titles, and suffixes as appropriate, formatted for display (e.g., 'Ms. Barbara J Jensen, III').",
        }),
        attribute('familyName', 'string', {
          description:
            "The family name of the User, or last name in most Western languages (e.g., 'Jensen' given the full name 'Ms. Barbara J Jensen, III').",
          maxBytes: IDENTIFIER_MAX_BYTES,
        }),
        attribute('givenName', 'string', {
          description:
            "The given name of the User, or first name in most Western languages (e.g., 'Barbara' given the full name 'Ms. Barbara J Jensen, III').",
        }),
        attribute('middleName', 'string', {
          description:
            "The middle name(s) of the User (e.g., 'Jane' given the full name 'Ms. Barbara J Jensen, III').",
        }),
        attribute('honorificPrefix', 'string', {
          description:
            "The honorific prefix(es) of the User, or title in most Western languages (e.g., 'Ms.' given the full name 'Ms. Barbara J Jensen, III').",
        }),
        attribute('honorificSuffix', 'string', {
          description:
            "The honorific suffix(es) of the User, or suffix in most Western languages (e.g., 'III' given the full name 'Ms. Barbara J Jensen, III').",
        }),
      ],
    }),
    attribute('displayName', 'string', {
      description:
        'The name of the User, suitable for display to end-users.  The name SHOULD be the full name of the User being described, if known.',
    }),
    attribute('nickName', 'string', {
      description:
        "The casual way to address the user in real life, e.g., 'Bob' or 'Bobby' instead of 'Robert'.  This attribute SHOULD NOT be used to represent a User's username (e.g., 'bjensen' or 'mpepperidge').",
    }),
    attribute('profileUrl', 'reference', {
      description: "A fully qualified URL pointing to a page representing the User's online profile.",
      referenceTypes: ['external'],
      maxBytes: URL_MAX_BYTES,
    }),
    attribute('title', 'string', {
      description: 'The user\'s title, such as "Vice President."',
    }),
    attribute('userType', 'string', {
      description:
        "Used to identify the relationship between the organization and the user.  Typical values used might be 'Contractor', 'Employee', 'Intern', 'Temp', 'External', and 'Unknown', but any value may be used.",
    }),
    attribute('preferredLanguage', 'string', {
      description:
        "Indicates the User's preferred written or spoken language.  Generally used for selecting a localized user interface; e.g., 'en_US' specifies the language English and country US.",
    }),
    attribute('locale', 'string', {
      description:
        "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations.",
    }),
    attribute('timezone', 'string', {
      description: "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'.",
    }),
    attribute('active', 'boolean', {
      description: "A Boolean value indicating the User's administrative status.",
    }),
    attribute('password', 'string', {
      description:
        "The User's cleartext password.  This attribute is intended to be used as a means to specify an initial password when creating a new User or to reset an existing User's password.",
      mutability: 'writeOnly',
      returned: 'never',
    }),
    attribute('emails', 'complex', {
      multiValued: true,
      description:
        "Email addresses for the user.  The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'.",
      subAttributes: [
        attribute('value', 'string', {
          description:
            "Email addresses for the user.  The value SHOULD be canonicalized by the service provider, e.g., 'bjensen@example.com' instead of 'bjensen@EXAMPLE.COM'. Canonical type values of 'work', 'home', and 'other'.",
          maxBytes: EMAIL_MAX_BYTES,
        }),
        // §8.7.1 calls these display sub-attributes READ-ONLY in prose yet readWrite in characteristics;
        // the characteristics are what clients act on, so they are kept as stated.
        attribute('display', 'string', { description: DISPLAY }),
        attribute('type', 'string', {
          description: "A label indicating the attribute's function, e.g., 'work' or 'home'.",
          canonicalValues: ['work', 'home', 'other'],
        }),
        attribute('primary', 'boolean', {
          description:
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred mailing address or primary email address.  The primary attribute value 'true' MUST appear no more than once.",
        }),
      ],
    }),
    attribute('phoneNumbers', 'complex', {
      multiValued: true,
      description:
        "Phone numbers for the User.  The value SHOULD be canonicalized by the service provider according to the format specified in RFC 3966, e.g., 'tel:+1-201-555-0123'. Canonical type values of 'work', 'home', 'mobile', 'fax', 'pager', and 'other'.",
      subAttributes: [
        attribute('value', 'string', { description: 'Phone number of the User.', maxBytes: IDENTIFIER_MAX_BYTES }),
        attribute('display', 'string', { description: DISPLAY }),
        attribute('type', 'string', {
          description: "A label indicating the attribute's function, e.g., 'work', 'home', 'mobile'.",
          canonicalValues: ['work', 'home', 'mobile', 'fax', 'pager', 'other'],
        }),
        attribute('primary', 'boolean', {
          description:
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred phone number or primary phone number.  The primary attribute value 'true' MUST appear no more than once.",
        }),
      ],
    }),
    attribute('ims', 'complex', {
      multiValued: true,
      description: 'Instant messaging addresses for the User.',
      subAttributes: [
        attribute('value', 'string', { description: 'Instant messaging address for the User.', maxBytes: IDENTIFIER_MAX_BYTES }),
        attribute('display', 'string', { description: DISPLAY }),
        attribute('type', 'string', {
          description: "A label indicating the attribute's function, e.g., 'aim', 'gtalk', 'xmpp'.",
          canonicalValues: ['aim', 'gtalk', 'icq', 'xmpp', 'msn', 'skype', 'qq', 'yahoo'],
        }),
        attribute('primary', 'boolean', {
          description:
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred messenger or primary messenger.  The primary attribute value 'true' MUST appear no more than once.",
        }),
      ],
    }),
    attribute('photos', 'complex', {
      multiValued: true,
      description: 'URLs of photos of the User.',
      subAttributes: [
        attribute('value', 'reference', {
          description: 'URL of a photo of the User.',
          referenceTypes: ['external'],
          maxBytes: INDEXED_URL_MAX_BYTES,
        }),
        attribute('display', 'string', { description: DISPLAY }),
        attribute('type', 'string', {
          description: "A label indicating the attribute's function, i.e., 'photo' or 'thumbnail'.",
          canonicalValues: ['photo', 'thumbnail'],
        }),
        attribute('primary', 'boolean', {
          description:
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred photo or thumbnail.  The primary attribute value 'true' MUST appear no more than once.",
        }),
      ],
    }),
    attribute('addresses', 'complex', {
      multiValued: true,
      description:
        "A physical mailing address for this User. Canonical type values of 'work', 'home', and 'other'.  This attribute is a complex type with the following sub-attributes.",
      subAttributes: [
        attribute('formatted', 'string', {
          description:
            'The full mailing address, formatted for display or use with a mailing label.  This attribute MAY contain newlines.',
        }),
        attribute('streetAddress', 'string', {
          description:
            'The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information.  This attribute MAY contain newlines.',
        }),
        attribute('locality', 'string', { description: 'The city or locality component.' }),
        attribute('region', 'string', { description: 'The state or region component.' }),
        attribute('postalCode', 'string', { description: 'The zip code or postal code component.' }),
        attribute('country', 'string', { description: 'The country name component.' }),
        attribute('type', 'string', {
          description: "A label indicating the attribute's function, e.g., 'work' or 'home'.",
          canonicalValues: ['work', 'home', 'other'],
        }),
        // §8.7.1 omits "primary" here, but §4.1.2 and §2.4 give addresses one (and §8.2's example uses it).
        // There is no "display": "formatted" plays that part for addresses.
        attribute('primary', 'boolean', {
          description:
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred mailing address or primary address.  The primary attribute value 'true' MUST appear no more than once.",
        }),
      ],
    }),
    attribute('groups', 'complex', {
      multiValued: true,
      description:
        'A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.',
      // Membership is changed through the Group resource (RFC 7643 §4.1.2), never through the User.
      mutability: 'readOnly',
      subAttributes: [
        attribute('value', 'string', {
          description: "The identifier of the User's group.",
          mutability: 'readOnly',
        }),
        attribute('$ref', 'reference', {
          description: "The URI of the corresponding 'Group' resource to which the user belongs.",
          referenceTypes: ['User', 'Group'],
          mutability: 'readOnly',
        }),
        attribute('display', 'string', { description: DISPLAY, mutability: 'readOnly' }),
        attribute('type', 'string', {
          description: "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.",
          canonicalValues: ['direct', 'indirect'],
          mutability: 'readOnly',
        }),
      ],
    }),
    attribute('entitlements', 'complex', {
      multiValued: true,
      description: 'A list of entitlements for the User that represent a thing the User has.',
      subAttributes: [
        attribute('value', 'string', { description: 'The value of an entitlement.', maxBytes: IDENTIFIER_MAX_BYTES }),
        attribute('display', 'string', { description: DISPLAY }),
        attribute('type', 'string', { description: FUNCTION }),
        attribute('primary', 'boolean', {
          description:
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute.  The primary attribute value 'true' MUST appear no more than once.",
        }),
      ],
    }),
    attribute('roles', 'complex', {
      multiValued: true,
      description:
        "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.",
      subAttributes: [
        attribute('value', 'string', { description: 'The value of a role.', maxBytes: IDENTIFIER_MAX_BYTES }),
        attribute('display', 'string', { description: DISPLAY }),
        // §8.7.1 lists "canonicalValues": [] here; an empty list says nothing, so it is left out.
        attribute('type', 'string', { description: FUNCTION }),
        attribute('primary', 'boolean', {
          description:
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute.  The primary attribute value 'true' MUST appear no more than once.",
        }),
      ],
    }),
    attribute('x509Certificates', 'complex', {
      multiValued: true,
      description: 'A list of certificates issued to the User.',
      subAttributes: [
        // Base64-encoded DER (§4.1.2), hence binary as §8.7.1 has it.
        attribute('value', 'binary', { description: 'The value of an X.509 certificate.' }),
        attribute('display', 'string', { description: DISPLAY }),
        attribute('type', 'string', { description: FUNCTION }),
        attribute('primary', 'boolean', {
          description:
            "A Boolean value indicating the 'primary' or preferred attribute value for this attribute.  The primary attribute value 'true' MUST appear no more than once.",
        }),
      ],
    }),
  ],
};
